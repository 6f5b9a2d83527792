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
//
// Usage: node cosmosdb-server.js --host 127.0.0.1 --port 8081
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
// Keep-alive, as real Cosmos DB: by default the emulator closes every connection, so each request paid a new TLS
// handshake on both sides (most of the CPU of a bulk load) and left thousands of sockets in TIME-WAIT.
const server = createHttpsServer({ keepAlive: true }).listen(port, host, () => {
  console.log(`Ready to accept HTTPS connections at ${host}:${server.address().port}`);
});
