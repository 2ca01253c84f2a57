from codefloor.cli import main

raise SystemExit(main())
