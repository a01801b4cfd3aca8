#pragma once
// Progress of a batch as `salvo run` shows it on stderr: one line per trial that ends,
// and on a terminal a progress line kept below them and redrawn in place, with a bar.
// Echoed trial output (one trial at a time, without -q) goes through Echo, which prints
// each line above the progress line.
//
//   1f3a9c0e  x=0.5 y=2  loss=0.25  completed
//   7b21d004  x=1 y=2  loss=-  error (exit status 1)
//   [######--------------] 3/10 done, 2 running, 1 failed, best loss 0.25,
//       about 0:00:42 left                       (one line on the terminal)
//
// The time left is the mean duration of the trials that ended here, times the trials
// not yet ended, divided by the trials run at once; it counts down between trial ends.
// The stream, the clock and whether the stream is a terminal are injected. Thread-safe:
// the batch engine's thread and a trial's output reader call it.

#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <ostream>
#include <string>

#include "common/core/clock.h"

namespace salvo {

struct ProgressOptions {
  bool terminal = false;   // draw the progress line (only on a terminal)
  int parallel = 1;        // trials run at once
  std::string objective;   // the tag shown and compared, e.g. "loss"
  bool maximize = false;   // the best objective is the highest
};

// How a trial ended, as its line shows it.
struct TrialOutcome {
  std::string id;
  std::string flags;  // e.g. "x=0.5 y=2"
  std::optional<double> objective;
  std::string status;  // e.g. "completed"
  std::string reason;  // shown in parentheses when not empty
  bool failed = false;
};

class Progress {
 public:
  Progress(std::ostream& out, const Clock& clock, ProgressOptions options);

  // The batch's trial count, and how many of them had ended before this run started.
  void SetTotal(int64_t total) {
    std::lock_guard<std::mutex> lock(mu_);
    total_ = total;
  }
  void SetAlreadyDone(int64_t done) {
    std::lock_guard<std::mutex> lock(mu_);
    done_ = done;
  }

  // A trial started: it counts as running, and its duration is measured from now.
  void TrialStarted(const std::string& id);
  // Prints the trial's line (above the progress line) and counts it as done.
  void TrialEnded(const TrialOutcome& outcome);
  // On a terminal, redraws the progress line when its text changed or it was hidden.
  void Refresh();
  // Clears the progress line, so that other output starts on an empty line.
  void Hide();
  // Writes a line of trial output to `to` above the progress line, which is redrawn
  // below it when it was shown.
  void Echo(std::ostream& to, const std::string& line);

  // The text of the progress line, and of a trial's line (without line breaks).
  std::string ProgressText() const;
  std::string TrialLine(const TrialOutcome& outcome) const;
  // The bar drawn before the progress line on a terminal: trials done of the total,
  // `width` characters between brackets, e.g. "[#####---------------]".
  std::string BarText(int width = 20) const;

 private:
  std::optional<int64_t> RemainingUs() const;
  std::string ProgressTextLocked() const;
  std::string BarTextLocked(int width) const;
  void RefreshLocked();
  void HideLocked();

  mutable std::mutex mu_;
  std::ostream& out_;
  const Clock& clock_;
  ProgressOptions options_;
  int64_t total_ = 0, done_ = 0, failed_ = 0;
  std::map<std::string, int64_t> started_us_;  // running trials
  int64_t measured_ = 0, measured_us_ = 0;     // trials timed here, their total time
  int64_t estimate_us_ = 0, estimate_at_us_ = 0;
  std::optional<double> best_;
  bool shown_ = false;
  std::string drawn_;
};

}  // namespace salvo
