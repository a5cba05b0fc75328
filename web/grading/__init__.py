"""Grading: the job state machine and its results, dispatch over Celery, and the worker
(one claimed job in `grade`, the process in `node`, how it is started in `launch`).

Built on the storage layer and the engine only, never on the board's pages: a
`practicum worker` process loads this package and `web.storage`, nothing else of `web`."""
