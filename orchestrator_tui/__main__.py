from orchestrator_tui.cli import main

main()
