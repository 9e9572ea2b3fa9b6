// The official MCP TypeScript SDK as a client of nestor, for tests/cli/mcp*.sh.
// Usage: node client.mjs stdio COMMAND [ARGS...]    one line of JSON per step
//        node client.mjs http URL TOKEN
// Env: MCP_CALLS = JSON array of {"name", "arguments"} to call after listing;
//      MCP_WATCH = a file: after listing, write it, wait for
//      notifications/tools/list_changed and list again.
import { writeFileSync } from "node:fs";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { ToolListChangedNotificationSchema } from "@modelcontextprotocol/sdk/types.js";

const [mode, ...rest] = process.argv.slice(2);
const out = (o) => process.stdout.write(JSON.stringify(o) + "\n");
let transport;
if (mode === "stdio") {
  // the SDK passes on only a few variables by default; nestor needs NESTOR_HOME, NESTOR_NOW
  transport = new StdioClientTransport({ command: rest[0], args: rest.slice(1), env: { ...process.env }, stderr: "inherit" });
} else if (mode === "http") {
  transport = new StreamableHTTPClientTransport(new URL(rest[0]), {
    requestInit: { headers: { Authorization: `Bearer ${rest[1]}` } },
  });
} else {
  console.error("usage: client.mjs stdio COMMAND [ARGS...] | http URL TOKEN");
  process.exit(2);
}
const client = new Client({ name: "nestor-test", version: "1.0.0" });
let changed;
const changedOnce = new Promise((resolve) => (changed = resolve));
client.setNotificationHandler(ToolListChangedNotificationSchema, () => changed());
await client.connect(transport);
out({ server: client.getServerVersion(), protocol: transport.protocolVersion ?? null });
const tools = (await client.listTools()).tools;
out({ tools: tools.map((t) => t.name), withOutputSchema: tools.filter((t) => t.outputSchema).map((t) => t.name) });
for (const c of JSON.parse(process.env.MCP_CALLS || "[]")) {
  try {
    const r = await client.callTool(c);
    out({ call: c.name, isError: r.isError ?? false, text: r.content?.[0]?.text ?? null, structured: r.structuredContent ?? null });
  } catch (e) {
    out({ call: c.name, rpcError: e.code ?? null, message: e.message });
  }
}
if (process.env.MCP_WATCH) {
  writeFileSync(process.env.MCP_WATCH, "listening\n");
  await changedOnce;
  out({ changed: (await client.listTools()).tools.map((t) => t.name) });
}
await client.close();
