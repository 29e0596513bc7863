// Stands in for the gateway's A2C-SMCP signalling server in the Computer's tests, written with the npm `socket.io`
// server (protocol 5 / Engine.IO 4, namespace /smcp, path /socket.io) and speaking the real protocol of
// docs/contracts/smcp.md at the 0.4 generation: the a2c_version gate (400 for a missing or incompatible
// version), auth {token}, server:join_office acknowledged (true, null), server:update_* received from the
// Computer. It also plays the agent of the office: the JUnit test writes one JSON command per line on stdin
// ({id, op: "emit", event, payload, timeout} relays a client:* request to the Computer and prints its ack;
// op "notify" sends a notify:* event; op "kick" closes the Computer's session from the server side) and reads one
// JSON line per thing that happened on stdout.
import { createRequire } from "node:module";
import { createServer } from "node:http";
import { createInterface } from "node:readline";

const require = createRequire(process.env.ENVGRID_NODE_PACKAGE);
const { Server } = require("socket.io");

const TOKEN = process.env.SMCP_TOKEN;
const out = (line) => process.stdout.write(JSON.stringify(line) + "\n");

const http = createServer();
const io = new Server(http, {
  path: "/socket.io",
  pingInterval: 1000,
  pingTimeout: 2000,
  // the protocol's handshake gate: MAJOR.MINOR must be 0.4 here
  allowRequest: (req, callback) => {
    const version = new URL(req.url, "http://x").searchParams.get("a2c_version");
    const ok = version !== null && /^0\.4\.\d+$/.test(version);
    if (!ok) out({ event: "refused_version", version });
    callback(ok ? null : "Protocol version mismatch", ok);
  },
});

const smcp = io.of("/smcp");
smcp.use((socket, next) => {
  if (socket.handshake.auth?.token === TOKEN) return next();
  out({ event: "refused_token" });
  next(new Error("Invalid connection request"));
});

let computer = null;
smcp.on("connection", (socket) => {
  out({ event: "connection", a2c_version: socket.handshake.query.a2c_version,
        transport: socket.conn.transport.name });
  socket.on("server:join_office", (payload, ack) => {
    out({ event: "server:join_office", payload });
    if (payload?.role === "computer") {
      computer = socket;
      socket.join(payload.office_id);
    }
    if (typeof ack === "function") ack(true, null);
  });
  for (const name of ["server:update_tool_list", "server:update_config", "server:update_desktop"]) {
    socket.on(name, (payload) => out({ event: name, payload }));
  }
  socket.on("disconnect", (reason) => {
    out({ event: "disconnect", reason });
    if (computer === socket) computer = null;
  });
});

createInterface({ input: process.stdin }).on("line", (line) => {
  const command = JSON.parse(line);
  if (command.op === "emit") {
    if (computer === null) return out({ reply: command.id, error: "no computer" });
    computer.timeout(command.timeout).emit(command.event, command.payload, (err, ...args) =>
      out(err ? { reply: command.id, error: "timeout" } : { reply: command.id, args }));
  } else if (command.op === "notify") {
    computer?.emit(command.event, command.payload);
  } else if (command.op === "kick") {
    computer?.disconnect(true);
  }
});
process.stdin.on("end", () => process.exit(0));

http.listen(0, "127.0.0.1", () => out({ event: "listening", port: http.address().port }));
