import sys

from syncstatus.cli import main

sys.exit(main())
