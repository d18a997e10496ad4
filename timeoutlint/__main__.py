from timeoutlint.cli import main

main()
