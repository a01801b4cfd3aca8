#include "common/protocol/snapshot.h"

#include <sodium.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>

namespace salvo::proto {
namespace fs = std::filesystem;

namespace {

void HashUint64(crypto_generichash_state* state, uint64_t v) {
  unsigned char bytes[8];
  for (int i = 0; i < 8; ++i) bytes[i] = static_cast<unsigned char>(v >> (8 * i));
  crypto_generichash_update(state, bytes, sizeof bytes);
}

void HashString(crypto_generichash_state* state, std::string_view s) {
  HashUint64(state, s.size());  // the length first, so ("ab","c") differs from ("a","bc")
  crypto_generichash_update(state, reinterpret_cast<const unsigned char*>(s.data()),
                            s.size());
}

}  // namespace

Result<std::vector<SnapshotFile>> ReadSnapshotDir(const std::string& dir) {
  std::vector<SnapshotFile> files;
  std::error_code ec;
  fs::recursive_directory_iterator it(dir, ec), end;
  if (ec) return Status::IoError("cannot read snapshot " + dir + ": " + ec.message());
  for (; it != end; it.increment(ec)) {
    if (ec) break;
    fs::file_status status = it->symlink_status(ec);
    if (ec || !fs::is_regular_file(status)) continue;
    SnapshotFile file;
    file.path = it->path().lexically_relative(dir).generic_string();
    file.mode = static_cast<int>(status.permissions() & fs::perms::mask);
    std::ifstream in(it->path(), std::ios::binary);
    file.data.assign(std::istreambuf_iterator<char>(in),
                     std::istreambuf_iterator<char>());
    if (!in.good() && !in.eof())
      return Status::IoError("cannot read " + it->path().string());
    files.push_back(std::move(file));
  }
  if (ec) return Status::IoError("cannot read snapshot " + dir + ": " + ec.message());
  std::sort(files.begin(), files.end(),
            [](const SnapshotFile& a, const SnapshotFile& b) { return a.path < b.path; });
  return files;
}

std::string HashSnapshot(const std::vector<SnapshotFile>& files) {
  std::vector<const SnapshotFile*> sorted;
  for (const SnapshotFile& f : files) sorted.push_back(&f);
  std::sort(
      sorted.begin(), sorted.end(),
      [](const SnapshotFile* a, const SnapshotFile* b) { return a->path < b->path; });

  crypto_generichash_state state;
  crypto_generichash_init(&state, nullptr, 0, crypto_generichash_BYTES);
  HashUint64(&state, sorted.size());
  for (const SnapshotFile* f : sorted) {
    HashString(&state, f->path);
    HashUint64(&state, static_cast<uint64_t>(f->mode));
    HashString(&state, f->data);
  }
  unsigned char digest[crypto_generichash_BYTES];
  crypto_generichash_final(&state, digest, sizeof digest);
  char hex[2 * crypto_generichash_BYTES + 1];
  sodium_bin2hex(hex, sizeof hex, digest, sizeof digest);
  return hex;
}

Status CheckSnapshotPath(std::string_view path) {
  auto unsafe = [&](const char* why) {
    return Status::Invalid("unsafe snapshot path '" + std::string(path.substr(0, 200)) +
                           "': " + why);
  };
  if (path.empty()) return unsafe("empty");
  if (path.front() == '/') return unsafe("absolute");
  if (path.find('\0') != std::string_view::npos) return unsafe("NUL byte");
  if (path.find('\\') != std::string_view::npos) return unsafe("backslash");
  size_t start = 0;
  while (start <= path.size()) {
    size_t slash = path.find('/', start);
    if (slash == std::string_view::npos) slash = path.size();
    std::string_view part = path.substr(start, slash - start);
    if (part.empty()) return unsafe("empty component");
    if (part == "." || part == "..") return unsafe("'.' or '..' component");
    start = slash + 1;
  }
  return Status::Ok();
}

Status WriteSnapshot(const std::string& dir, const std::vector<SnapshotFile>& files) {
  for (const SnapshotFile& f : files) SALVO_RETURN_IF_ERROR(CheckSnapshotPath(f.path));

  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return Status::IoError("cannot create " + dir + ": " + ec.message());
  for (const SnapshotFile& f : files) {
    fs::path target = fs::path(dir) / f.path;
    fs::create_directories(target.parent_path(), ec);
    if (ec) return Status::IoError("cannot create " + target.parent_path().string());
    {
      std::ofstream out(target, std::ios::binary | std::ios::trunc);
      out.write(f.data.data(), static_cast<std::streamsize>(f.data.size()));
      if (!out) return Status::IoError("cannot write " + target.string());
    }
    fs::permissions(target, static_cast<fs::perms>(f.mode) & fs::perms::mask, ec);
    if (ec) return Status::IoError("cannot set the mode of " + target.string());
  }
  return Status::Ok();
}

}  // namespace salvo::proto
