//! srt-slurm's power sampler files under `logs/power/` (`../shared/FORMATS-2.md` §6).
