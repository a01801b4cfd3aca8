#include "common/protocol/keys.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zmq.h>

#include <fstream>
#include <sstream>

namespace salvo::proto {
namespace {

constexpr char kPublicPrefix[] = "public-key:";
constexpr char kSecretPrefix[] = "secret-key:";

std::string Trim(const std::string& s) {
  size_t b = s.find_first_not_of(" \t\r");
  if (b == std::string::npos) return "";
  size_t e = s.find_last_not_of(" \t\r");
  return s.substr(b, e - b + 1);
}

// The file's lines without comments, blank lines and surrounding blanks.
Result<std::vector<std::string>> ReadLines(const std::string& path) {
  std::ifstream in(path);
  if (!in) return Status::NotFound("cannot read key file " + path);
  std::vector<std::string> lines;
  std::string line;
  while (std::getline(in, line)) {
    line = Trim(line);
    if (!line.empty() && line[0] != '#') lines.push_back(line);
  }
  return lines;
}

// The value after `prefix` on a line that starts with it, or "".
std::string After(const std::string& line, const char* prefix) {
  std::string p = prefix;
  return line.compare(0, p.size(), p) == 0 ? Trim(line.substr(p.size())) : "";
}

Status WriteNew(const std::string& path, const std::string& text, mode_t mode) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
  if (fd < 0) return Status::IoError("cannot create " + path);
  bool ok = ::fchmod(fd, mode) == 0 &&
            ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
  ok = (::close(fd) == 0) && ok;
  if (!ok) return Status::IoError("cannot write " + path);
  return Status::Ok();
}

}  // namespace

bool IsZ85Key(const std::string& key) {
  uint8_t bytes[32];
  return key.size() == 40 && zmq_z85_decode(bytes, key.c_str()) != nullptr;
}

Result<CurveKeyPair> GenerateKeyPair() {
  char pub[41], sec[41];
  if (zmq_curve_keypair(pub, sec) != 0)
    return Status::Internal("cannot make a CurveZMQ key pair (libzmq without CURVE?)");
  return CurveKeyPair{pub, sec};
}

Status SaveKeyPair(const std::string& prefix, const CurveKeyPair& keys) {
  const std::string pub = prefix + ".pub", key = prefix + ".key";
  for (const std::string& path : {pub, key}) {
    if (::access(path.c_str(), F_OK) == 0)
      return {Code::kAlreadyExists, path + " already exists"};
  }
  SALVO_RETURN_IF_ERROR(WriteNew(key,
                                 "# salvo CurveZMQ key pair: keep this file private\n" +
                                     std::string(kPublicPrefix) + " " + keys.public_key +
                                     "\n" + kSecretPrefix + " " + keys.secret_key + "\n",
                                 0600));
  return WriteNew(pub, keys.public_key + "\n", 0644);
}

Result<CurveKeyPair> LoadKeyPair(const std::string& path) {
  auto lines = ReadLines(path);
  if (!lines.ok()) return lines.status();
  CurveKeyPair keys;
  for (const std::string& line : *lines) {
    if (std::string v = After(line, kPublicPrefix); !v.empty()) keys.public_key = v;
    if (std::string v = After(line, kSecretPrefix); !v.empty()) keys.secret_key = v;
  }
  if (!IsZ85Key(keys.public_key) || !IsZ85Key(keys.secret_key)) {
    return Status::Invalid(path + " is not a key pair file (want '" + kPublicPrefix +
                           " KEY' and '" + kSecretPrefix + " KEY' lines)");
  }
  return keys;
}

Result<std::vector<std::string>> LoadPublicKeys(const std::string& path) {
  auto lines = ReadLines(path);
  if (!lines.ok()) return lines.status();
  std::vector<std::string> keys;
  for (const std::string& line : *lines) {
    if (!After(line, kSecretPrefix).empty()) continue;
    std::string key = After(line, kPublicPrefix);
    if (key.empty()) key = line;
    if (!IsZ85Key(key))
      return Status::Invalid(path + ": '" + line.substr(0, 60) + "' is not a Z85 key");
    keys.push_back(key);
  }
  return keys;
}

Result<std::string> LoadPublicKey(const std::string& path) {
  auto keys = LoadPublicKeys(path);
  if (!keys.ok()) return keys.status();
  if (keys->size() != 1)
    return Status::Invalid(path + " does not hold exactly one public key");
  return keys->front();
}

}  // namespace salvo::proto
