/**
 * Credentials as production runs them, on a real cluster with `requirepass`: refusals fail at
 * once as `AuthError` (counted by the servers' own `acl_access_denied_auth`), and a credentials
 * provider follows a password rotation.
 */
import assert from "node:assert/strict";
import { AuthError, RedisCluster } from "../../mod.ts";
import { LocalCluster } from "../../testing/local_cluster.ts";

/** Refused AUTH attempts the nodes logged (`ACL LOG`, reason "auth") since the last reset. */
async function refusedAuths(cluster: LocalCluster, password: string): Promise<number> {
  let n = 0;
  for (const node of cluster.nodes) {
    const log = await cluster.cli(node.port, "-a", password, "--no-auth-warning", "acl", "log");
    const lines = log.split("\n");
    // Entries are flat key/value lines: count, N, reason, R, ...
    for (let i = 0; i + 3 < lines.length; i++) {
      if (lines[i] === "count" && lines[i + 2] === "reason" && lines[i + 3] === "auth") {
        n += Number(lines[i + 1]);
      }
    }
  }
  return n;
}

async function resetAclLog(cluster: LocalCluster, password: string): Promise<void> {
  for (const node of cluster.nodes) {
    await cluster.cli(node.port, "-a", password, "--no-auth-warning", "acl", "log", "reset");
  }
}

async function setPassword(cluster: LocalCluster, from: string | undefined, to: string) {
  for (const node of cluster.nodes) {
    const auth = from === undefined ? [] : ["-a", from, "--no-auth-warning"];
    await cluster.cli(node.port, ...auth, "config", "set", "masterauth", to);
    await cluster.cli(node.port, ...auth, "config", "set", "requirepass", to);
  }
}

Deno.test("credentials on a real cluster", async (t) => {
  await using cluster = await LocalCluster.start({ masters: 3, replicasPerMaster: 1 });
  const { startupNodes } = cluster;
  await setPassword(cluster, undefined, "old");

  await t.step("username without a password is a TypeError naming both options", () => {
    assert.throws(
      () => new RedisCluster({ startupNodes, username: "app" }),
      (e: unknown) =>
        e instanceof TypeError && /options\.username needs options\.password/.test(e.message),
    );
  });

  await t.step("no password on a cluster that needs one: AuthError NOAUTH, saying so", async () => {
    await using rc = new RedisCluster({ startupNodes });
    await assert.rejects(rc.get("k"), (e: unknown) => {
      assert.ok(e instanceof AuthError, String(e));
      assert.equal(e.code, "NOAUTH");
      assert.match(e.message, /set the password or credentials option/);
      return true;
    });
  });

  await t.step("a user refused a handshake command: AuthError NOPERM", async () => {
    for (const node of cluster.nodes) {
      await cluster.cli(
        node.port,
        "-a",
        "old",
        "--no-auth-warning",
        "acl",
        "setuser",
        "noname",
        "on",
        ">pw",
        "~*",
        "+@all",
        "-client",
      );
    }
    await using rc = new RedisCluster({
      startupNodes,
      username: "noname",
      password: "pw",
      clientName: "app",
    });
    await assert.rejects(rc.connect(), (e: unknown) => {
      assert.ok(e instanceof AuthError, String(e));
      assert.equal(e.code, "NOPERM");
      return true;
    });
  });

  await t.step(
    "a rotated password: the provider's next secret is used, a fixed one fails fast",
    async () => {
      let current = "old";
      await using rotating = new RedisCluster({
        startupNodes,
        decodeResponses: true,
        credentials: () => ({ password: current }),
      });
      await using fixed = new RedisCluster({
        startupNodes,
        decodeResponses: true,
        password: "old",
      });
      assert.equal(await rotating.set("rot:k", "1"), "OK");
      assert.equal(await fixed.get("rot:k"), "1");

      current = "new";
      await setPassword(cluster, "old", "new");
      await resetAclLog(cluster, "new");
      // Connections authenticated before the rotation stay; new ones need the new secret.
      for (const node of cluster.nodes) {
        await cluster.cli(
          node.port,
          "-a",
          "new",
          "--no-auth-warning",
          "client",
          "kill",
          "type",
          "normal",
        );
      }
      assert.equal(await rotating.set("rot:k", "2"), "OK");
      assert.equal(await rotating.get("rot:k"), "2");

      const started = performance.now();
      await assert.rejects(fixed.get("rot:k"), (e: unknown) => {
        assert.ok(e instanceof AuthError, String(e));
        assert.equal(e.code, "WRONGPASS");
        return true;
      });
      const ms = performance.now() - started;
      // Further calls while the refusal stands are told at once, without new AUTH attempts.
      for (let i = 0; i < 20; i++) await assert.rejects(fixed.get("rot:k"), AuthError);
      const refused = await refusedAuths(cluster, "new");
      console.log(
        `wrong password: AuthError after ${
          ms.toFixed(0)
        } ms; ${refused} refused AUTHs for 21 calls`,
      );
      assert.ok(ms < 1000, `the refusal took ${ms} ms`);
      // One per node the fixed client reconnects to (the slot's master, a topology query).
      assert.ok(refused >= 1 && refused <= 4, `${refused} refused AUTH attempts for 21 calls`);
    },
  );
});
