variable "include_module_storage" {
  type = bool
  description = "If true it will include the storage module in apply/destroy (default to false)"
  default = false
}