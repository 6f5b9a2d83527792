#!/usr/bin/env node
// Starts @vercel/cosmosdb-server (the pinned Cosmos DB emulator) with keep-alive connections and three corrections
// that make it behave like real Cosmos DB. Without them every query scans the whole container, and building that
// scan is itself quadratic in the container's size (about 20 s for one query over 25 000 items), so a project of a
// few hundred documents already made the emulator the bottleneck of every test and benchmark.
//
// 1. A query sent with a partition key header (a single-partition query) reads only that partition's items, as
//    real Cosmos DB does; the emulator keeps a per-partition index of its items for this.
// 2. A point read of a missing item answers 404 (it answered 500).
// 3. The generated query code collects the FROM source with `reduce(($, c) => [...$, { c }], [])`, copying the
//    accumulator for every item; it now appends in place (same results, linear time).
// 4. A query's text is parsed once: the emulator parsed it again on every request to check its partition keys,
//    and its parser backtracks without memoizing, so a query with nested function calls took tens of milliseconds
//    to parse. That was over 80 % of the emulator's CPU time in the restore-safety tests.
//
// And it keeps its data (the emulator holds everything in memory): with --journal <file>, every write (databases,
// containers, items; creates, replaces, upserts, patches, deletes) is appended to that file before it is answered,
// and the file is replayed at start, then compacted to the current state. A killed emulator or service loses no
// answered write; with --fsync each write is also flushed to the disk (power loss), at a cost per write.
//
// Usage: node cosmosdb-server.js --host 127.0.0.1 --port 8081 [--journal data/cosmos.journal [--fsync]]
"use strict";

const { AsyncLocalStorage } = require("async_hooks");
const { createRequire } = require("module");
const Items = require("@vercel/cosmosdb-server/lib/account/items").default;
const queryDocuments = require("@vercel/cosmosdb-server/lib/handler/query-documents");
const createQuery = require("@zeit/cosmosdb-query").default;

const queryPackage = createRequire(require.resolve("@zeit/cosmosdb-query"));
const transform = queryPackage("./transformer").default;
const generate = queryPackage("@babel/generator").default;

// --- 1. single-partition queries read one partition -------------------------------------------------------------

const requestPartition = new AsyncLocalStorage();
const partitionKeyHeader = "x-ms-documentdb-partitionkey";

const handleQuery = queryDocuments.default;
queryDocuments.default = (account, req, res, params) => {
  const header = req.headers[partitionKeyHeader];
  const partition = header ? partitionKeyOfHeader(header) : undefined;
  return requestPartition.run(partition, () => handleQuery(account, req, res, params));
};

// A value the index cannot stand for (the SDK's "[{}]" for no partition key) leaves the query unscoped.
function partitionKeyOfHeader(header) {
  const parsed = JSON.parse(header);
  const value = Array.isArray(parsed) ? parsed[0] : parsed;
  return value !== null && typeof value === "object" ? undefined : indexKey(value);
}

function indexKey(value) {
  return JSON.stringify(value === undefined ? null : value);
}

function partitionIndex(items) {
  if (!items._partitions) {
    items._partitions = new Map();
    for (const [rid, item] of items._data) {
      partitionItems(items, indexKey(items._getPartition(item.read()))).set(rid, item);
    }
  }
  return items._partitions;
}

function partitionItems(items, key) {
  const index = partitionIndex(items);
  let partition = index.get(key);
  if (!partition) {
    partition = new Map();
    index.set(key, partition);
  }
  return partition;
}

const setItem = Items.prototype._set;
Items.prototype._set = function (data) {
  const result = setItem.call(this, data);
  partitionItems(this, indexKey(this._getPartition(data))).set(data._rid, this._data.get(data._rid));
  journal.set(this, data);
  return result;
};

const deleteItem = Items.prototype.delete;
Items.prototype.delete = function (idOrRid, partition) {
  const existing = this._data.get(this._toRid("/id", idOrRid, partition));
  deleteItem.call(this, idOrRid, partition);
  if (existing) {
    const data = existing.read();
    partitionItems(this, indexKey(this._getPartition(data))).delete(data._rid);
  }
  journal.delete(this, idOrRid, partition);
};

const queryItems = Items.prototype.query;
Items.prototype.query = function (params, options) {
  const partition = requestPartition.getStore();
  if (partition === undefined) {
    return queryItems.call(this, params, options);
  }

  // The query runs synchronously over this._data, so it is pointed at the partition for the length of the call.
  const all = this._data;
  this._data = partitionItems(this, partition);
  try {
    return queryItems.call(this, params, options);
  } finally {
    this._data = all;
  }
};

// --- journal: the data survives a restart -------------------------------------------------------------------------

const fs = require("fs");
const accountModule = require("@vercel/cosmosdb-server/lib/account");
const Databases = require("@vercel/cosmosdb-server/lib/account/databases").default;
const Collections = require("@vercel/cosmosdb-server/lib/account/collections").default;
const Documents = require("@vercel/cosmosdb-server/lib/account/documents").default;

// The server makes its account when it starts listening; the journal needs it to replay into.
let account;
const BaseAccount = accountModule.default;
accountModule.default = class JournaledAccount extends BaseAccount {
  constructor(...args) {
    super(...args);
    account = this;
  }
};

// A container's items need to know their database to be journaled; the container itself does not.
const newCollection = Collections.prototype._newItem;
Collections.prototype._newItem = function (data) {
  const collection = newCollection.call(this, data);
  if (data && this._parent.read()) {
    collection.documents._databaseId = this._parent.read().id;
  }
  return collection;
};

// Where a set of items sits: [] databases, [db] containers, [db, container] items. Other sets are not journaled
// (partition key ranges and the like are made again with their container).
function pathOf(items) {
  if (items instanceof Databases) return [];
  if (items instanceof Collections) return items._parent.read() ? [items._parent.read().id] : undefined;
  if (items instanceof Documents) return items._databaseId !== undefined && items._parent.read() ? [items._databaseId, items._parent.read().id] : undefined;
  return undefined;
}

function itemsAt(path) {
  if (path.length === 0) return account.databases;
  const database = account.database(path[0]);
  if (!database.read()) return undefined;
  if (path.length === 1) return database.collections;
  const collection = database.collection(path[1]);
  return collection.read() ? collection.documents : undefined;
}

const journal = {
  fd: undefined,
  fsync: false,
  replaying: false,

  set(items, data) {
    const path = this.fd === undefined || this.replaying ? undefined : pathOf(items);
    if (path) this.append({ set: path, rid: items._ridCount, data });
  },

  delete(items, id, partition) {
    const path = this.fd === undefined || this.replaying ? undefined : pathOf(items);
    if (path) this.append({ delete: path, id, partition });
  },

  // Written synchronously before the request's answer: an answered write is in the file.
  append(entry) {
    fs.writeSync(this.fd, JSON.stringify(entry) + "\n");
    if (this.fsync) fs.fdatasyncSync(this.fd);
  },

  // Replays the file into the account, then rewrites it as the current state (a torn last line is skipped).
  open(file, fsync) {
    this.fsync = fsync;
    this.replaying = true;
    let replayed = 0;
    try {
      if (fs.existsSync(file)) {
        for (const line of fs.readFileSync(file, "utf8").split("\n")) {
          if (line.trim().length === 0) continue;
          let entry;
          try {
            entry = JSON.parse(line);
          } catch {
            continue;
          }
          replay(entry);
          replayed++;
        }
      }
    } finally {
      this.replaying = false;
    }

    const compacted = `${file}.compacting`;
    const fd = fs.openSync(compacted, "w");
    const write = entry => fs.writeSync(fd, JSON.stringify(entry) + "\n");
    for (const database of account.databases._data.values()) {
      const db = database.read();
      write({ set: [], rid: account.databases._ridCount, data: db });
      for (const collection of database.collections._data.values()) {
        const coll = collection.read();
        write({ set: [db.id], rid: database.collections._ridCount, data: coll });
        for (const item of collection.documents._data.values()) {
          write({ set: [db.id, coll.id], rid: collection.documents._ridCount, data: item.read() });
        }
      }
    }
    fs.fdatasyncSync(fd);
    fs.closeSync(fd);
    fs.renameSync(compacted, file);
    this.fd = fs.openSync(file, "a");
    return replayed;
  },
};

function replay(entry) {
  const items = itemsAt(entry.set ?? entry.delete);
  if (!items) return;
  if (entry.set) {
    items._ridCount = Math.max(items._ridCount, entry.rid ?? 0);
    items._set(entry.data);
  } else {
    try {
      items.delete(entry.id, entry.partition);
    } catch {
      // Already gone: the journal holds the delete of an item a later replace removed too.
    }
  }
}

// --- 2. a point read of a missing item is a 404 -------------------------------------------------------------------

// The emulator's read handler dereferences the item before checking that it exists, so it answered 500.
const readDocument = require("@vercel/cosmosdb-server/lib/handler/read-document");
const { default: partitionKeyHeaderOf, parsePartitionKey } = require("@vercel/cosmosdb-server/lib/utils/get-partition-from-header");
const handleRead = readDocument.default;
readDocument.default = (account, req, res, params) => {
  const collection = account.database(params.dbId).collection(params.collId);
  const header = partitionKeyHeaderOf(req);
  if (collection.read() && header && !collection.document(params.docId, parsePartitionKey(header, params.docId)).read()) {
    res.statusCode = 404;
    return { code: "NotFound", message: "Entity with the specified id does not exist in the system." };
  }
  return handleRead(account, req, res, params);
};

// --- 3. linear FROM collection ----------------------------------------------------------------------------------

const Query = Object.getPrototypeOf(createQuery("SELECT * FROM c"));
Object.defineProperty(Query, "code", {
  get() {
    if (!this._code) {
      const ast = transform(this.ast);
      appendInPlace(ast);
      this._code = generate(ast).code;
    }
    return this._code;
  },
});

// Rewrites `x.reduce(($, c) => [...$, item...], [])` (also as the branch of a conditional) into
// `x.reduce(($, c) => ($.push(item...), $), [])`: the accumulator starts as a fresh [] of that reduce, so
// appending to it in place cannot be observed elsewhere.
function appendInPlace(node) {
  if (!node || typeof node !== "object") {
    return;
  }

  if (isReduceIntoFreshArray(node)) {
    const callback = node.arguments[0];
    if (callback.type === "ArrowFunctionExpression" && isIdentifier(callback.params[0], "$")) {
      callback.body = appended(callback.body);
    }
  }

  for (const value of Object.values(node)) {
    if (Array.isArray(value)) {
      value.forEach(appendInPlace);
    } else if (value && typeof value === "object" && typeof value.type === "string") {
      appendInPlace(value);
    }
  }
}

function isReduceIntoFreshArray(node) {
  return node.type === "CallExpression"
    && node.callee.type === "MemberExpression"
    && isIdentifier(node.callee.property, "reduce")
    && node.arguments.length === 2
    && node.arguments[1].type === "ArrayExpression"
    && node.arguments[1].elements.length === 0;
}

function appended(body) {
  if (body.type === "ConditionalExpression") {
    return { ...body, consequent: appended(body.consequent), alternate: appended(body.alternate) };
  }

  const [first, ...rest] = body.type === "ArrayExpression" ? body.elements : [];
  if (!first || first.type !== "SpreadElement" || !isIdentifier(first.argument, "$")) {
    return body;
  }

  const accumulator = { type: "Identifier", name: "$" };
  const push = {
    type: "CallExpression",
    callee: { type: "MemberExpression", object: accumulator, property: { type: "Identifier", name: "push" }, computed: false },
    arguments: rest,
  };
  return { type: "SequenceExpression", expressions: [push, accumulator] };
}

function isIdentifier(node, name) {
  return node && node.type === "Identifier" && node.name === name;
}

// --- 4. a query's text is parsed once ------------------------------------------------------------------------------

// Every caller looks the factory up as `.default` when it calls it, so replacing the export reaches them all. A
// parsed query is reusable: its syntax tree is only read, and its code is generated once and kept on it.
const queryModule = require("@zeit/cosmosdb-query");
const parseQuery = queryModule.default;
const parsedQueries = new Map();
const parsedQueriesLimit = 2000;
queryModule.default = text => {
  let query = parsedQueries.get(text);
  if (!query) {
    query = parseQuery(text);
    if (parsedQueries.size >= parsedQueriesLimit) {
      parsedQueries.delete(parsedQueries.keys().next().value);
    }
    parsedQueries.set(text, query);
  }
  return query;
};

// --- start --------------------------------------------------------------------------------------------------------

// Required only now: the server's route table takes the query handler when it loads, so it must see the wrapper.
const { createHttpsServer } = require("@vercel/cosmosdb-server");

const args = process.argv.slice(2);
const option = (...names) => {
  const index = args.findIndex(arg => names.includes(arg));
  return index >= 0 ? args[index + 1] : undefined;
};
const host = option("--host") ?? "127.0.0.1";
const port = Number.parseInt(option("--port", "-p") ?? "8081", 10);
const journalFile = option("--journal");
// Keep-alive, as real Cosmos DB: by default the emulator closes every connection, so each request paid a new TLS
// handshake on both sides (most of the CPU of a bulk load) and left thousands of sockets in TIME-WAIT.
const server = createHttpsServer({ keepAlive: true }).listen(port, host, () => {
  // The server made its account on 'listening', before this callback; requests wait until the replay is done.
  if (journalFile) {
    const replayed = journal.open(journalFile, args.includes("--fsync"));
    console.log(`Journal ${journalFile}: ${replayed} entries replayed`);
  }
  console.log(`Ready to accept HTTPS connections at ${host}:${server.address().port}`);
});
// Node closes an idle keep-alive connection after 5 s, .NET reuses one for up to a minute: a request sent as the
// server closes it meets "connection reset by peer". The server now keeps idle connections longer than any client.
server.keepAliveTimeout = 120_000;
server.headersTimeout = 121_000;
