from pressarchive.cli import main

main()
