# The two commands of the README, plus conveniences. Each target is a script in scripts/.
.PHONY: run test lint content

run:            ## start Wegwijs (console chat without TELEGRAM_BOT_TOKEN)
	@scripts/run.sh

test:           ## install everything the tests need and run the whole suite
	@scripts/test.sh

content:        ## validate content and show the translation status
	@scripts/venv.sh && .venv/bin/wegwijs content check && .venv/bin/wegwijs content status
