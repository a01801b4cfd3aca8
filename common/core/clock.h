#pragma once
// Time as Salvo sees it: microseconds since the epoch. Components take a Clock so that
// tests can drive timeouts with a fake one.

#include <cstdint>

namespace salvo {

class Clock {
 public:
  virtual ~Clock() = default;
  virtual int64_t NowMicros() const = 0;
};

// The system's wall clock.
const Clock& SystemClock();

class FakeClock : public Clock {
 public:
  explicit FakeClock(int64_t start_us = 0) : now_us_(start_us) {}
  int64_t NowMicros() const override { return now_us_; }
  void Advance(int64_t us) { now_us_ += us; }

 private:
  int64_t now_us_;
};

}  // namespace salvo
