import sys

from .supervise import main

sys.exit(main())
