from triagebot.cli import main_entry

main_entry()
