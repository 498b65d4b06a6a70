"""The enclave: providers that generate and use keys without letting them out in the clear.

``software`` (real cryptography, keys sealed under a master key) and ``pkcs11`` (an HSM token).
Services reach a provider only through ``nsl.core.enclave.Enclave`` on their context.
"""
