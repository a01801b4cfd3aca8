#pragma once
// Status and Result<T>: how Salvo returns expected failures. Library exceptions are
// caught at a component's edge and turned into one of these; a broken invariant
// stops the process instead.

#include <string>
#include <utility>
#include <variant>

namespace salvo {

enum class Code {
  kOk = 0,
  kInvalidArgument,  // bad user input: exit status 2
  kNotFound,         // no such run, file or key
  kAlreadyExists,
  kBusy,                // a resource is held by another process (the store lock)
  kFailedPrecondition,  // the request is valid but not in this state
  kIoError,
  kCorruption,
  kUnavailable,  // a peer or service cannot be reached; may be retried
  kCancelled,
  kInternal,
};

const char* CodeName(Code code);

class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(Code code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status Ok() { return Status(); }
  static Status Invalid(std::string m) { return {Code::kInvalidArgument, std::move(m)}; }
  static Status NotFound(std::string m) { return {Code::kNotFound, std::move(m)}; }
  static Status Busy(std::string m) { return {Code::kBusy, std::move(m)}; }
  static Status IoError(std::string m) { return {Code::kIoError, std::move(m)}; }
  static Status Internal(std::string m) { return {Code::kInternal, std::move(m)}; }
  static Status Precondition(std::string m) {
    return {Code::kFailedPrecondition, std::move(m)};
  }

  bool ok() const { return code_ == Code::kOk; }
  Code code() const { return code_; }
  const std::string& message() const { return message_; }
  std::string ToString() const;

 private:
  Code code_ = Code::kOk;
  std::string message_;
};

// A value or the Status that says why there is none.
template <class T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}         // NOLINT: implicit by design
  Result(Status status) : v_(std::move(status)) {}  // NOLINT: implicit by design

  bool ok() const { return std::holds_alternative<T>(v_); }
  const Status& status() const {
    static const Status kOk;
    return ok() ? kOk : std::get<Status>(v_);
  }
  T& value() & { return std::get<T>(v_); }
  const T& value() const& { return std::get<T>(v_); }
  T&& value() && { return std::get<T>(std::move(v_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

 private:
  std::variant<T, Status> v_;
};

}  // namespace salvo

#define SALVO_RETURN_IF_ERROR(expr)                \
  do {                                             \
    ::salvo::Status salvo_status_ = (expr);        \
    if (!salvo_status_.ok()) return salvo_status_; \
  } while (0)
