// Fuzzes the wire codec: any frame either fails to decode (with a reason) or gives a
// message that encodes to bytes which decode to the same message (the same bytes again).
// Snapshot paths in decoded messages go through the agent's path check as well.

#include "common/protocol/messages.h"
#include "common/protocol/snapshot.h"
#include "tests/fuzz/fuzz_util.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace salvo;
  Result<proto::Message> message = proto::Decode(fuzz::AsText(data, size));
  if (!message.ok()) {
    fuzz::Check(!message.status().message().empty(), "a decode error has a reason");
    return 0;
  }
  if (auto* snapshot = std::get_if<proto::Snapshot>(&*message)) {
    for (const proto::SnapshotFile& f : snapshot->files) {
      (void)proto::CheckSnapshotPath(f.path);
    }
    (void)proto::HashSnapshot(snapshot->files);
  }

  std::string first = proto::Encode(*message);
  Result<proto::Message> again = proto::Decode(first);
  fuzz::Check(again.ok(), "an encoded message decodes", proto::TypeName(*message),
              again.status().message());
  fuzz::Check(again->index() == message->index(), "the type survives",
              proto::TypeName(*message), proto::TypeName(*again));
  std::string second = proto::Encode(*again);
  fuzz::Check(first == second, "encode(decode(encode(m))) == encode(m)", first, second);
  return 0;
}
