#include "bench/optimizers/peer.h"

#include <boost/process.hpp>
#include <iterator>
#include <utility>

namespace salvo::bench {

namespace bp = boost::process;

struct OptunaPeer::Child {
  std::string script;
  bp::opstream input;
  bp::ipstream output;
  bp::child process;
};

OptunaPeer::OptunaPeer(std::unique_ptr<Child> child) : child_(std::move(child)) {}

OptunaPeer::~OptunaPeer() {
  if (child_ && child_->process.running()) {
    child_->process.terminate();
    child_->process.wait();
  }
}

Result<std::unique_ptr<OptunaPeer>> OptunaPeer::Start(const std::string& python,
                                                      const std::string& script,
                                                      const nlohmann::json& request) {
  auto child = std::make_unique<Child>();
  child->script = script;
  try {
    child->process = bp::child(bp::exe = python, bp::args = {script},
                               bp::std_in<child->input, bp::std_out> child->output);
    child->input << request.dump();
    child->input.flush();
    child->input.pipe().close();
  } catch (const std::exception& e) {
    return Status::IoError("cannot run " + python + " " + script + ": " + e.what());
  }
  return std::unique_ptr<OptunaPeer>(new OptunaPeer(std::move(child)));
}

Result<nlohmann::json> OptunaPeer::Finish() {
  std::string text((std::istreambuf_iterator<char>(child_->output)),
                   std::istreambuf_iterator<char>());
  child_->process.wait();
  const int exit_code = child_->process.exit_code();
  if (exit_code != 0) {
    return Status::IoError(child_->script + " exited with status " +
                           std::to_string(exit_code));
  }
  try {
    return nlohmann::json::parse(text);
  } catch (const std::exception& e) {
    return Status::IoError(child_->script + " printed no JSON answer: " + e.what());
  }
}

}  // namespace salvo::bench
