#pragma once
// CurveZMQ key files, written by `salvo keygen --out PREFIX` and read by agents, clients
// and the coordinator. Keys are Z85 text (40 characters for 32 bytes).
//
//   PREFIX.pub  one line: the public key. Safe to copy to the coordinator's allow-list.
//   PREFIX.key  mode 0600, two lines:   public-key: <Z85>
//                                       secret-key: <Z85>
// Lines starting with '#' and blank lines are ignored in both files.

#include <string>
#include <vector>

#include "common/core/status.h"

namespace salvo::proto {

struct CurveKeyPair {
  std::string public_key;  // Z85
  std::string secret_key;  // Z85
};

// A new key pair from zmq_curve_keypair.
Result<CurveKeyPair> GenerateKeyPair();

// Writes PREFIX.pub and PREFIX.key; kAlreadyExists (nothing written) when either exists.
Status SaveKeyPair(const std::string& prefix, const CurveKeyPair& keys);

// A PREFIX.key file. kInvalidArgument with one line naming the file when it is not one.
Result<CurveKeyPair> LoadKeyPair(const std::string& path);

// A public key: a .pub file (one key), or the public key of a .key file.
Result<std::string> LoadPublicKey(const std::string& path);

// Every public key of a file with one key per line (an allow-list; may be empty).
Result<std::vector<std::string>> LoadPublicKeys(const std::string& path);

// True when `key` is 40 characters of Z85 that decode to 32 bytes.
bool IsZ85Key(const std::string& key);

}  // namespace salvo::proto
