/**
 * Credentials as production runs them, on a real cluster with `requirepass`: refusals fail at
 * once as `AuthError` (counted by the servers' own `acl_access_denied_auth`), and a credentials
 * provider follows a password rotation.
 */
import assert from "node:assert/strict";
import { AuthError, RedisCluster } from "../../mod.ts";
import { LocalCluster } from "../_harness/local_cluster.ts";

/** Refused AUTH attempts the nodes have counted so far. */
async function refusedAuths(cluster: LocalCluster, password: string): Promise<number> {
  let n = 0;
  for (const node of cluster.nodes) {
    const info = await cluster.cli(node.port, "-a", password, "--no-auth-warning", "info", "stats");
    n += Number(/acl_access_denied_auth:(\d+)/.exec(info)?.[1] ?? 0);
  }
  return n;
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

      const before = await refusedAuths(cluster, "new");
      const started = performance.now();
      await assert.rejects(fixed.get("rot:k"), (e: unknown) => {
        assert.ok(e instanceof AuthError, String(e));
        assert.equal(e.code, "WRONGPASS");
        return true;
      });
      const ms = performance.now() - started;
      // Further calls while the refusal stands are told at once, without new AUTH attempts.
      for (let i = 0; i < 20; i++) await assert.rejects(fixed.get("rot:k"), AuthError);
      const refused = (await refusedAuths(cluster, "new")) - before;
      console.log(
        `wrong password: AuthError after ${
          ms.toFixed(0)
        } ms; ${refused} refused AUTHs for 21 calls`,
      );
      assert.ok(ms < 1000, `the refusal took ${ms} ms`);
      assert.ok(refused <= 4, `${refused} refused AUTH attempts for 21 calls`);
    },
  );
});
