#include "coordinator/tensorboard/proto_wire.h"

#include <bit>
#include <boost/crc.hpp>

namespace salvo {
namespace {

constexpr int kVarint = 0, kFixed64 = 1, kLengthDelimited = 2, kFixed32 = 5;

void AppendLittleEndian(std::string* out, uint64_t value, int bytes) {
  for (int i = 0; i < bytes; ++i) out->push_back(static_cast<char>(value >> (8 * i)));
}

}  // namespace

void AppendVarint(std::string* out, uint64_t value) {
  while (value >= 0x80) {
    out->push_back(static_cast<char>((value & 0x7F) | 0x80));
    value >>= 7;
  }
  out->push_back(static_cast<char>(value));
}

void ProtoWriter::Key(int field, int wire_type) {
  AppendVarint(&data_, (static_cast<uint64_t>(field) << 3) | wire_type);
}

ProtoWriter& ProtoWriter::Varint(int field, uint64_t value) {
  Key(field, kVarint);
  AppendVarint(&data_, value);
  return *this;
}

ProtoWriter& ProtoWriter::Int64(int field, int64_t value) {
  return Varint(field, static_cast<uint64_t>(value));
}

ProtoWriter& ProtoWriter::Bool(int field, bool value) { return Varint(field, value); }

ProtoWriter& ProtoWriter::Double(int field, double value) {
  Key(field, kFixed64);
  AppendLittleEndian(&data_, std::bit_cast<uint64_t>(value), 8);
  return *this;
}

ProtoWriter& ProtoWriter::Float(int field, float value) {
  Key(field, kFixed32);
  AppendLittleEndian(&data_, std::bit_cast<uint32_t>(value), 4);
  return *this;
}

ProtoWriter& ProtoWriter::Bytes(int field, std::string_view data) {
  Key(field, kLengthDelimited);
  AppendVarint(&data_, data.size());
  data_.append(data);
  return *this;
}

ProtoWriter& ProtoWriter::Message(int field, const ProtoWriter& message) {
  return Bytes(field, message.data());
}

uint32_t Crc32c(std::string_view data) {
  // Boost's CRC with the Castagnoli polynomial, reflected in and out, as CRC-32C is.
  boost::crc_optimal<32, 0x1EDC6F41, 0xFFFFFFFF, 0xFFFFFFFF, true, true> crc;
  crc.process_bytes(data.data(), data.size());
  return crc.checksum();
}

uint32_t MaskedCrc32c(std::string_view data) {
  uint32_t crc = Crc32c(data);
  return ((crc >> 15) | (crc << 17)) + 0xA282EAD8u;
}

std::string TfRecord(std::string_view data) {
  std::string length;
  AppendLittleEndian(&length, data.size(), 8);
  std::string out = length;
  AppendLittleEndian(&out, MaskedCrc32c(length), 4);
  out.append(data);
  AppendLittleEndian(&out, MaskedCrc32c(data), 4);
  return out;
}

}  // namespace salvo
