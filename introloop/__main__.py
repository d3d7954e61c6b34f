from introloop.cli import main

main()
