from pressarchive.cli.main import main

main()
