---
"__PLUGIN_NAME__": minor
---

First release of __PLUGIN_NAME__, a Qi __PLUGIN_KIND__ plugin for __RECORD_KINDS__ records.
