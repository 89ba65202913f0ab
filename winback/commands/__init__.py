"""The `winback` subcommands, grouped by concern; each is a thin face over the library.

common     failing with an exit code, running a coroutine, the client, the inputs, the store
stack      up, down, worker, migrate
campaigns  plan, launch, simulate
progress   a launch's progress: the live bar, its one-line form and its JSON
sequences  status, pause, resume, cancel
tasks      tasks, task done
reconcile  reconcile: outcomes of sequences and saves Temporal terminated, timed out or failed
saves      saves plan: at-risk renewals triaged (risk, probability, value, effort, mode);
           saves launch: one SaveWorkflow per included account
"""
