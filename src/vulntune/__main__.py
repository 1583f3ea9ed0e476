import sys

from vulntune.cli import main

sys.exit(main())
