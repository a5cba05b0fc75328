"""Services: the board's domain (exams and packages, submissions, regrade, proving, accounts,
roster, theory, scores, analysis, exports, visibility, monitor, clock, audit, cancelling).

Functions take plain arguments (ids, rows, paths, settings values), never a request or
`current_app`; they import the grading and storage layers and the engine, never the pages."""
