from orchestrator_tui.entry import main

main()
