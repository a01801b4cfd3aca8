#!/usr/bin/env bash
# Starts the one-node Slurm cluster the `slurm`-labelled tests use: munged (as the munge
# user), slurmctld and `slurmd -N localhost`, then waits until `sinfo` shows the node
# idle. Needs root; no systemd. See tests/slurm/README.md.
exec bash "$(dirname "${BASH_SOURCE[0]}")/local-cluster.sh" start
