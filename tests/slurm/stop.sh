#!/usr/bin/env bash
# Stops the cluster tests/slurm/start.sh started: cancels every job, then stops slurmd,
# slurmctld (and munged, when start.sh started it) by their pid files.
exec bash "$(dirname "${BASH_SOURCE[0]}")/local-cluster.sh" stop
