"""The investigators' web interface: server-rendered pages on the API's application, each
showing exactly what its JSON twin (an ``/api/v1`` endpoint, linked from the page) returns."""
