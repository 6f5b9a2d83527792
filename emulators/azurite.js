#!/usr/bin/env node
// Starts Azurite (the pinned Azure Storage emulator) with three corrections to LokiJS, the in-memory database that
// holds Azurite's blob, block and queue metadata. Without them every blob operation cost time in proportion to all
// the blobs the account holds, where real Blob Storage costs the same at any size: at 30 000 blobs a lookup took
// 2 ms and a delete 30 ms of the emulator's one thread, so an operation that deletes a few hundred blobs stalled
// every request of every other operation for seconds, and the service's share of that grew with the project.
//
// 1. A lookup by name uses the name's index. Azurite asks for {accountName, containerName, name, ...}; LokiJS
//    uses an index for the first property only, and accountName (the same for every blob) came first, so every
//    lookup filtered the whole collection. An equality on `name` or `blobName` is now looked up first. The same
//    documents come back in the same order: the lookup used the accountName index before, and every index orders
//    documents with equal values alike (newest first). Each hit is still checked with strict equality.
// 2. A delete of a few documents updates the indexes in place. LokiJS's batch removal (which findAndRemove uses
//    even for one document) sorts every index of the collection again from scratch; removing each document on its
//    own updates each index by one entry instead. Documents with equal index values may then be listed in another
//    order than after a rebuild; Azurite sorts what it answers (the one tie a client could see, a blob and its
//    snapshots in a listing that includes snapshots, the service never asks for).
// 3. Autosave takes about a twentieth of the thread at most. LokiJS saves by serializing the whole database (every
//    blob's metadata) on the thread that answers requests, every 5 seconds while anything changed: at 70 000 blobs
//    one save took over a second, a quarter of the thread and a stall of every request in flight. The next autosave
//    now waits 20 times as long as the last serialization took (5 seconds at least), so a save still costs in
//    proportion to the blobs, but its share of the thread does not grow with them. A stop (SIGTERM, which the
//    watchdog passes on once, also when the process that started the emulator exits) still saves everything
//    (LokiJS's close); a SIGKILL of this process loses the writes since the last save, as before, over a longer window.
//
// Usage: node azurite.js <Azurite's own arguments>. Required as a module, it applies the corrections and exports
// LokiJS without starting Azurite (the tests of the corrections do that).
"use strict";

const { createRequire } = require("module");

const azurite = require.resolve("azurite/dist/src/azurite.js");
// The LokiJS instance Azurite itself loads, whichever copy that is.
const Loki = createRequire(azurite)("lokijs");

// --- 1. lookups by name use the name's index ---------------------------------------------------------------------

const selectiveKeys = new Set(["name", "blobName"]);

function isEquality(condition) {
  return condition === null || typeof condition !== "object" || condition instanceof Date;
}

// The query with its indexed equality on a selective key first, or the query itself when it has none.
function selectiveFirst(query, binaryIndices) {
  if (query === null || typeof query !== "object" || Array.isArray(query)) {
    return query;
  }

  const keys = Object.keys(query);
  if (keys.length < 2 || keys.some(key => key.startsWith("$"))) {
    return query;
  }

  const first = keys.findIndex(key => selectiveKeys.has(key) && Object.hasOwn(binaryIndices, key) && isEquality(query[key]));
  if (first <= 0) {
    return query;
  }

  const reordered = { [keys[first]]: query[keys[first]] };
  for (const key of keys) {
    if (key !== keys[first]) {
      reordered[key] = query[key];
    }
  }

  return reordered;
}

const find = Loki.Resultset.prototype.find;
Loki.Resultset.prototype.find = function (query, firstOnly) {
  return find.call(this, selectiveFirst(query, this.collection.binaryIndices), firstOnly);
};

// --- 2. deleting a few documents updates the indexes in place -----------------------------------------------------

const singlyRemoved = 16;
const removeBatch = Loki.Collection.prototype.removeBatchByPositions;
Loki.Collection.prototype.removeBatchByPositions = function (positions) {
  if (positions.length > singlyRemoved) {
    return removeBatch.call(this, positions);
  }

  for (const document of positions.map(position => this.data[position])) {
    this.remove(document);
  }
};

// --- 3. autosave takes about a twentieth of the thread at most ---------------------------------------------------

const autosaveShare = 20;
Loki.prototype.autosaveEnable = function (options, callback) {
  this.autosaveDisable();
  this.autosave = true;
  const interval = typeof this.autosaveInterval === "number" ? this.autosaveInterval : 5000;
  const schedule = delay => {
    const handle = setTimeout(() => {
      let next = interval;
      if (this.throttledSavePending) {
        // The last save's file is still being written: saving now would only queue (unmeasured) behind it.
        next = delay;
      } else if (this.autosaveDirty() && !this.ignoreAutosave) {
        // The serialization runs synchronously inside saveDatabase; the file is written afterwards, off the thread.
        const started = performance.now();
        this.saveDatabase(callback);
        next = Math.max(interval, (performance.now() - started) * autosaveShare);
      }

      // Only the chain that is still the current one goes on (not after autosaveDisable, as close calls it).
      if (this.autosaveHandle === handle) {
        schedule(next);
      }
    }, delay);
    this.autosaveHandle = handle;
  };
  schedule(interval);
};

Loki.prototype.autosaveDisable = function () {
  if (this.autosaveHandle !== undefined && this.autosaveHandle !== null) {
    clearTimeout(this.autosaveHandle);
    this.autosaveHandle = null;
  }
};

module.exports = { Loki };

if (require.main === module) {
  require(azurite);
}
