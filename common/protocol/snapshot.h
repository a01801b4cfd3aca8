#pragma once
// Source snapshots on the wire: a batch's source directory read into SnapshotFiles
// (the coordinator's side), its content hash, and the files written back into a
// directory (the agent's side, which trusts no path it is sent).

#include <string>
#include <string_view>
#include <vector>

#include "common/core/status.h"
#include "common/protocol/messages.h"

namespace salvo::proto {

// Every regular file under `dir` (symbolic links and other kinds are left out), with
// '/'-separated paths relative to `dir`, sorted by path; mode holds the permission bits.
Result<std::vector<SnapshotFile>> ReadSnapshotDir(const std::string& dir);

// BLAKE2b (libsodium crypto_generichash, 32 bytes) of every file's path, mode and data,
// in path order whatever the order given; 64 lowercase hex digits.
std::string HashSnapshot(const std::vector<SnapshotFile>& files);

// kInvalidArgument unless `path` is relative, non-empty, '/'-separated and free of
// empty, '.' and '..' components and NUL bytes.
Status CheckSnapshotPath(std::string_view path);

// Writes the files under `dir` (created if missing) with their permission bits, after
// checking every path first: nothing is written when any path is unsafe.
Status WriteSnapshot(const std::string& dir, const std::vector<SnapshotFile>& files);

}  // namespace salvo::proto
