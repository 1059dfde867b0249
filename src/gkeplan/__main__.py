from gkeplan.cli import main

main()
