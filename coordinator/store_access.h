#pragma once
// Opening $SALVO_HOME's store the way each command needs it.
//
// Writers (run, stop's bookkeeping, runs rm) open the primary; while one `salvo run`
// holds it, another writer gets kBusy naming the holder ("store in use by salvo run,
// pid N"). Readers (runs, compare, select, cat) open a secondary that never blocks the
// writer. Either way, start-up reconciles trials whose runner has died.

#include <memory>
#include <string>

#include "common/core/run_record.h"
#include "common/store/run_store.h"
#include "coordinator/commands.h"

namespace salvo {

// Opens the primary store, creating $SALVO_HOME if needed, and records this process as
// the holder (`$SALVO_HOME/holder`: pid and command). Marks runs whose runner process is
// gone as terminated (trials and batches left `running`) before returning.
Result<std::unique_ptr<RunStore>> OpenStoreForWrite(const Home& home,
                                                    const std::string& command);

// Opens a read-only view. With no store yet, an empty in-memory store.
Result<std::unique_ptr<RunStore>> OpenStoreForRead(const Home& home);

// The process holding the primary, as "salvo run, pid N", or "" when none is alive.
std::string StoreHolder(const Home& home);
// The pid of the process holding the primary, or 0.
int StoreHolderPid(const Home& home);

// The status to show: a run stored as running whose runner process is gone is shown
// (and, by the next writer, stored) as terminated.
RunStatus EffectiveStatus(const RunRecord& r);
bool ProcessAlive(int pid);

}  // namespace salvo
