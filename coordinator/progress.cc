#include "coordinator/progress.h"

#include <algorithm>
#include <cmath>

#include "common/core/flag_value.h"
#include "common/core/ids.h"
#include "coordinator/table.h"

namespace salvo {
namespace {

// Back to the start of the line, and erase from there to its end (ANSI).
constexpr const char* kReturn = "\r";
constexpr const char* kClearToEnd = "\x1b[K";

}  // namespace

Progress::Progress(std::ostream& out, const Clock& clock, ProgressOptions options)
    : out_(out), clock_(clock), options_(std::move(options)) {
  options_.parallel = std::max(options_.parallel, 1);
}

void Progress::TrialStarted(const std::string& id) {
  std::lock_guard<std::mutex> lock(mu_);
  started_us_[id] = clock_.NowMicros();
}

void Progress::TrialEnded(const TrialOutcome& outcome) {
  std::lock_guard<std::mutex> lock(mu_);
  int64_t now = clock_.NowMicros();
  if (auto it = started_us_.find(outcome.id); it != started_us_.end()) {
    ++measured_;
    measured_us_ += now - it->second;
    started_us_.erase(it);
  }
  ++done_;
  failed_ += outcome.failed;
  if (!outcome.failed && outcome.objective && std::isfinite(*outcome.objective)) {
    double y = *outcome.objective;
    if (!best_ || (options_.maximize ? y > *best_ : y < *best_)) best_ = y;
  }

  // The estimate is fixed here and counts down until the next trial ends.
  if (measured_ > 0) {
    int64_t remaining = std::max<int64_t>(total_ - done_, 0);
    estimate_us_ = measured_us_ / measured_ * remaining / options_.parallel;
    estimate_at_us_ = now;
  }

  HideLocked();
  out_ << TrialLine(outcome) << '\n' << std::flush;
}

void Progress::Refresh() {
  std::lock_guard<std::mutex> lock(mu_);
  RefreshLocked();
}

void Progress::Hide() {
  std::lock_guard<std::mutex> lock(mu_);
  HideLocked();
}

void Progress::Echo(std::ostream& to, const std::string& line) {
  std::lock_guard<std::mutex> lock(mu_);
  bool was_shown = shown_;
  HideLocked();
  to << line << '\n' << std::flush;
  if (was_shown) RefreshLocked();
}

void Progress::RefreshLocked() {
  if (!options_.terminal) return;
  std::string text = BarTextLocked(20) + " " + ProgressTextLocked();
  if (shown_ && text == drawn_) return;
  out_ << kReturn << text << kClearToEnd << std::flush;
  shown_ = true;
  drawn_ = std::move(text);
}

void Progress::HideLocked() {
  if (!shown_) return;
  out_ << kReturn << kClearToEnd << std::flush;
  shown_ = false;
}

std::optional<int64_t> Progress::RemainingUs() const {
  if (measured_ == 0) return std::nullopt;
  int64_t elapsed = clock_.NowMicros() - estimate_at_us_;
  return std::max<int64_t>(estimate_us_ - elapsed, 0);
}

std::string Progress::ProgressText() const {
  std::lock_guard<std::mutex> lock(mu_);
  return ProgressTextLocked();
}

std::string Progress::BarText(int width) const {
  std::lock_guard<std::mutex> lock(mu_);
  return BarTextLocked(width);
}

std::string Progress::BarTextLocked(int width) const {
  width = std::max(width, 1);
  int64_t total = std::max(total_, done_);
  int64_t filled = total > 0 ? std::min<int64_t>(done_ * width / total, width) : 0;
  return "[" + std::string(static_cast<size_t>(filled), '#') +
         std::string(static_cast<size_t>(width - filled), '-') + "]";
}

std::string Progress::ProgressTextLocked() const {
  int64_t total = std::max(total_, done_);
  std::string text = std::to_string(done_) + "/" + std::to_string(total) + " done, " +
                     std::to_string(started_us_.size()) + " running, " +
                     std::to_string(failed_) + " failed, ";
  text += best_ ? "best " + options_.objective + " " + FormatFloat(*best_)
                : "no " + options_.objective + " yet";
  if (auto left = RemainingUs()) {
    text += ", about " + FormatDuration(*left) + " left";
  } else {
    text += ", time left unknown";
  }
  return text;
}

std::string Progress::TrialLine(const TrialOutcome& outcome) const {
  std::string line = ShortId(outcome.id) + "  ";
  if (!outcome.flags.empty()) line += outcome.flags + "  ";
  line += options_.objective + "=" +
          (outcome.objective ? FormatFloat(*outcome.objective) : "-") + "  " +
          outcome.status;
  if (!outcome.reason.empty()) line += " (" + outcome.reason + ")";
  return line;
}

}  // namespace salvo
