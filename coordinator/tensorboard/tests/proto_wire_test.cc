#include "coordinator/tensorboard/proto_wire.h"

#include <gtest/gtest.h>

#include <cstring>
#include <string>

#include "coordinator/tensorboard/event_files.h"

namespace salvo {
namespace {

std::string LittleEndian(uint64_t value, int bytes) {
  std::string out;
  for (int i = 0; i < bytes; ++i) out.push_back(static_cast<char>(value >> (8 * i)));
  return out;
}

std::string DoubleBytes(double d) {
  uint64_t bits;
  std::memcpy(&bits, &d, sizeof(bits));
  return LittleEndian(bits, 8);
}

TEST(Crc32cTest, CheckValues) {
  EXPECT_EQ(Crc32c("123456789"), 0xE3069283u);
  EXPECT_EQ(Crc32c(""), 0u);
  // 32 zero bytes: the value RFC 3720 (iSCSI) lists.
  EXPECT_EQ(Crc32c(std::string(32, '\0')), 0x8A9136AAu);
}

TEST(Crc32cTest, MaskRotatesAndAdds) {
  EXPECT_EQ(MaskedCrc32c(""), 0xA282EAD8u);
  uint32_t crc = 0xE3069283u;
  EXPECT_EQ(MaskedCrc32c("123456789"), ((crc >> 15) | (crc << 17)) + 0xA282EAD8u);
}

TEST(ProtoWriterTest, VarintsAndKeys) {
  std::string out;
  AppendVarint(&out, 300);
  EXPECT_EQ(out, "\xAC\x02");
  EXPECT_EQ(ProtoWriter().Varint(1, 150).data(), "\x08\x96\x01");
  // A negative int64 is the ten-byte varint of its two's complement.
  EXPECT_EQ(ProtoWriter().Int64(2, -1).data(),
            std::string("\x10\xFF\xFF\xFF\xFF\xFF\xFF\xFF\xFF\xFF\x01", 11));
  EXPECT_EQ(ProtoWriter().Bool(16, true).data(), "\x80\x01\x01");  // a two-byte key
}

TEST(ProtoWriterTest, FixedAndLengthDelimited) {
  EXPECT_EQ(ProtoWriter().Double(1, 1.5).data(), "\x09" + DoubleBytes(1.5));
  EXPECT_EQ(ProtoWriter().Float(2, 0.25f).data(), std::string("\x15\x00\x00\x80\x3E", 5));
  EXPECT_EQ(ProtoWriter().Bytes(3, "abc").data(),
            "\x1A\x03"
            "abc");
  EXPECT_EQ(ProtoWriter().Bytes(3, "").data(), std::string("\x1A\x00", 2));
  ProtoWriter inner;
  inner.Varint(1, 1);
  EXPECT_EQ(ProtoWriter().Message(5, inner).data(), "\x2A\x02\x08\x01");
}

TEST(TfRecordTest, Framing) {
  std::string record = TfRecord("hello");
  std::string length = LittleEndian(5, 8);
  EXPECT_EQ(record, length + LittleEndian(MaskedCrc32c(length), 4) + "hello" +
                        LittleEndian(MaskedCrc32c("hello"), 4));
  EXPECT_EQ(TfRecord("").size(), 16u);
}

TEST(EventFilesTest, FileVersionEvent) {
  EXPECT_EQ(FileVersionEvent(2.0), "\x09" + DoubleBytes(2.0) +
                                       "\x1A\x0D"
                                       "brain.Event:2");
}

TEST(EventFilesTest, ScalarEvent) {
  // Event{wall_time 1.5, step 7, summary{value{tag "loss", simple_value 0.25}}}
  std::string value = std::string(
      "\x0A\x04"
      "loss"
      "\x15\x00\x00\x80\x3E",
      11);
  std::string summary = "\x0A\x0B" + value;
  EXPECT_EQ(ScalarEvent(1.5, 7, "loss", 0.25f),
            "\x09" + DoubleBytes(1.5) + "\x10\x07" + "\x2A\x0D" + summary);
}

TEST(EventFilesTest, SessionEndEvent) {
  // The HParams summaries share their wrapping: tag, metadata (plugin "hparams" with
  // the plugin data as content, data class TENSOR) and the null tensor.
  std::string end =
      "\x08\x02"
      "\x11" +
      DoubleBytes(9.0);  // FAILURE, end time 9
  std::string plugin_data =
      std::string("\x08\x00", 2) + "\x22" + static_cast<char>(end.size()) + end;
  std::string plugin =
      "\x0A\x07"
      "hparams"
      "\x12" +
      std::string(1, static_cast<char>(plugin_data.size())) + plugin_data;
  std::string meta =
      "\x0A" + std::string(1, static_cast<char>(plugin.size())) + plugin + "\x20\x02";
  std::string tensor = std::string("\x08\x01\x12\x00\x2A\x04\x00\x00\x00\x00", 10);
  std::string tag = kSessionEndTag;
  std::string value = "\x0A" + std::string(1, static_cast<char>(tag.size())) + tag +
                      "\x4A" + std::string(1, static_cast<char>(meta.size())) + meta +
                      "\x42" + std::string(1, static_cast<char>(tensor.size())) + tensor;
  std::string summary = "\x0A" + std::string(1, static_cast<char>(value.size())) + value;
  EXPECT_EQ(SessionEndEvent(8.0, SessionStatus::kFailure, 9.0),
            "\x09" + DoubleBytes(8.0) + "\x2A" +
                std::string(1, static_cast<char>(summary.size())) + summary);
}

}  // namespace
}  // namespace salvo
