#pragma once
// The protocol buffer wire format, written by hand for the few TensorBoard messages
// Salvo emits (event_files.h), and the TFRecord framing of event files. A field is
// written when its setter is called, default value or not. Pure; safe from any thread.
//
// Wire types: 0 varint (int32, int64, bool, enum), 1 fixed64 (double), 2 length-
// delimited (string, bytes, messages, packed repeated), 5 fixed32 (float). A key is the
// varint (field_number << 3) | wire_type; negative int32/int64 values are written as
// ten-byte varints of their two's complement, as protobuf does.

#include <cstdint>
#include <string>
#include <string_view>

namespace salvo {

class ProtoWriter {
 public:
  ProtoWriter& Varint(int field, uint64_t value);
  ProtoWriter& Int64(int field, int64_t value);
  ProtoWriter& Bool(int field, bool value);
  ProtoWriter& Double(int field, double value);
  ProtoWriter& Float(int field, float value);
  ProtoWriter& Bytes(int field, std::string_view data);  // strings too
  ProtoWriter& Message(int field, const ProtoWriter& message);

  const std::string& data() const { return data_; }

 private:
  void Key(int field, int wire_type);

  std::string data_;
};

// Base-128 varint, low group first.
void AppendVarint(std::string* out, uint64_t value);

// CRC-32C (Castagnoli, reflected polynomial 0x82F63B78): "123456789" -> 0xE3069283.
uint32_t Crc32c(std::string_view data);
// TFRecord's masked CRC: ((crc >> 15) | (crc << 17)) + 0xA282EAD8.
uint32_t MaskedCrc32c(std::string_view data);

// One TFRecord: the length (uint64, little-endian), the masked CRC of those 8 bytes,
// the data, the masked CRC of the data (each CRC a little-endian uint32).
std::string TfRecord(std::string_view data);

}  // namespace salvo
