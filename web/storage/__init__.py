"""Storage: the tables and their migrations, blobs and files by content hash, settings.

The bottom layer of the board: it imports the engine (`grader`) and nothing else of `web`."""
