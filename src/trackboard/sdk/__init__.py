"""The in-process SDK: runs, their config, summary, step rules and metric definitions.

``trackboard.launch`` wires these to a run log writer; nothing here touches the store, a web
framework or (at import) numpy.
"""
