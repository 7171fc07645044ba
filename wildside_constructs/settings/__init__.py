"""Settings dataclasses: the input of each construct, pure Python, importable without jsii.

Each component's ``[<key>]`` table in the configuration file is read into its
settings class here, so configuration errors surface before CDKTF loads.
"""
