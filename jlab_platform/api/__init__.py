"""The typed boundary of the REST API: request and response models shared by services and handlers."""
