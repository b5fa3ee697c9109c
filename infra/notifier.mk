# Notifier operations; included by the Makefile.
#
#   make redrive                      resend the emails in the notifier's dead-letter queue
#   make redrive DRY_RUN=1            list what would be resent, change nothing
#   make redrive STACK=zapis          take the queue URL from the stack's output NotifierDeadLetterQueueUrl
#   make redrive QUEUE_URL=https://sqs...   or name the queue (default: $NOTIFIER_DLQ_URL)
#
# Runs with your AWS credentials (attach the stack's NotifierRedrivePolicy to the operator role) and the
# notifier's settings in the environment: TABLE_NAME, SENDER_EMAIL, REPLY_TO_EMAIL, SES_CONFIGURATION_SET,
# PUBLIC_BASE_URL. Locally (`make run`), the queue is moto's: see infra/local/outbox.py.
PYTHON ?= .venv/bin/python

.PHONY: redrive
redrive:
	@url="$(QUEUE_URL)"; \
	if [ -z "$$url" ] && [ -n "$(STACK)" ]; then \
	  url=$$(aws cloudformation describe-stacks --stack-name "$(STACK)" \
	    --query "Stacks[0].Outputs[?OutputKey=='NotifierDeadLetterQueueUrl'].OutputValue" --output text); \
	fi; \
	$(PYTHON) -m infra.redrive $${url:+--queue-url "$$url"} $(if $(DRY_RUN),--dry-run)
