"""Documents in relation: two versions of a document (diff), an upper document and the lower
documents that implement it (承接 trace). Pure functions over extracted measures; anything that
needs dense vectors takes them as an injected callable (the model lives in ``search_api``)."""
