#pragma once
// `salvo tensorboard`: writes the selected runs as TensorBoard event files (their
// scalars and the HParams dashboard's summaries, event_files.h), then starts
// `tensorboard --logdir DIR` when it is on PATH or prints that command. main.cc fills
// TensorboardOptions.

#include <optional>
#include <string>

#include "coordinator/commands.h"

namespace salvo {

struct TensorboardOptions {
  RunSelection sel;  // as compare takes it; batches themselves are left out
  // Where to write: default $SALVO_HOME/tensorboard, which is emptied first. In
  // another folder only the event files Salvo wrote before are replaced.
  std::optional<std::string> logdir;
};

// 0 after writing (and TensorBoard's own status when it ran); 2 for a bad selection or
// a folder that cannot be written.
int CmdTensorboard(const TensorboardOptions& opt);

}  // namespace salvo
