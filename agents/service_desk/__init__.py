"""The service desk resolution agent: ITSM tickets in, governed resolutions or case files out.

Reads a queue (ServiceNow or Jira Service Management), understands each ticket (Perception
classifier plus entity matching against the directory, the catalogue and the ERP), and runs a
playbook per category -- password reset, unlock, access request, software request, HR/policy
question, procurement inquiry -- through `governance.runtime.Governor`; everything else is
escalated to the right assignment group with the case file. See docs/SERVICE_DESK.md.
"""
