"""The client of the original FastAPI project, as its users call it: `requests` with JSON bodies
{"value": ...} and `response.json()` on every call. SPEC section 2 promises it works unchanged against any
ringkv node; api-http.test.ts runs it against a real node and checks what it prints.

Usage: python3 original_client.py http://127.0.0.1:7001
"""
import json
import sys

import requests


class KeyValueStoreClient:
    def __init__(self, base_url):
        self.base_url = base_url

    def create_key(self, key, value):
        return requests.post(f"{self.base_url}/create/{key}", json={"value": value}).json()

    def read_key(self, key):
        return requests.get(f"{self.base_url}/read/{key}").json()

    def update_key(self, key, value):
        return requests.put(f"{self.base_url}/update/{key}", json={"value": value}).json()

    def delete_key(self, key):
        return requests.delete(f"{self.base_url}/delete/{key}").json()

    def add_node(self, node):
        return requests.post(f"{self.base_url}/add_node/{node}").json()

    def get_node(self, key):
        return requests.get(f"{self.base_url}/get_node/{key}").json()


if __name__ == "__main__":
    client = KeyValueStoreClient(sys.argv[1])
    results = {
        "create": client.create_key("py-key1", "value1"),
        "read": client.read_key("py-key1"),
        "update": client.update_key("py-key1", {"nested": [1, 2]}),
        "get_node": client.get_node("py-key1"),
        "add_node": client.add_node("node1"),
        "delete": client.delete_key("py-key1"),
        "read_after_delete": client.read_key("py-key1"),
    }
    print(json.dumps(results))
