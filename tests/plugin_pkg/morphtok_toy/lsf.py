"""IBM Spectrum LSF: ``bsub`` reads the job and its ``#BSUB`` lines from stdin; an array is
``-J "name[1-N]"`` indexed by ``$LSB_JOBINDEX``; ``-w "done(id)"`` waits for a job (all of an array)."""

from __future__ import annotations

from collections.abc import Sequence

from morphtok.cluster.schedulers import JobSpec, Scheduler


class LSF(Scheduler):
    name, suffix, submit = "lsf", "lsf", "bsub"
    id_filter = " | sed -E 's/^Job <([0-9]+)>.*/\\1/'"  # "Job <123> is submitted to queue <normal>."
    array_index, array_hint = "LSB_JOBINDEX", "run as an LSF job array (bsub -J name[1-N])"

    def directives(self, job: JobSpec) -> list[str]:
        name = f"{job.name}[1-{job.array}]" if job.array else job.name
        lines = [f'#BSUB -J "{name}"', f"#BSUB -n {job.cpus}", f'#BSUB -R "rusage[mem={job.mem_gb}G]"',
                 f"#BSUB -W {job.hours}:00", "#BSUB -r", "#BSUB -Q 75"]  # rerunnable; exit 75 requeues
        if job.gpus:
            lines.append(f'#BSUB -gpu "num={job.gpus}"')
        if job.warn_s:
            lines += ["#BSUB -wa USR1", f"#BSUB -wt {job.warn_s // 60}"]
        return lines

    def depend(self, variables: Sequence[str]) -> str:
        return '-w "' + " && ".join(f"done(${v})" for v in variables) + '"'

    def submit_command(self, script: str, after: Sequence[str] = ()) -> str:
        return super().submit_command(f"< {script}", after)
